"""Team API (read): the caller's teams with their role, and one team's members and activity.
Member management stays on the pages, where the owner confirms what they do."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.teams import selectors
from accounts.teams.models import Team, TeamActivity, TeamMembership
from common.api import paginated_response


class TeamOutput(serializers.ModelSerializer):
    role = serializers.CharField(source="member_role", read_only=True)

    class Meta:
        model = Team
        fields = ("id", "name", "role", "created_at")


class MemberOutput(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = TeamMembership
        fields = ("id", "username", "role", "joined_at")


class ActivityOutput(serializers.ModelSerializer):
    by = serializers.CharField(source="actor_name", read_only=True)

    class Meta:
        model = TeamActivity
        fields = ("by", "action", "subject", "change", "created_at")


class TeamDetailOutput(TeamOutput):
    members = serializers.SerializerMethodField()
    activity = serializers.SerializerMethodField()

    class Meta(TeamOutput.Meta):
        fields = (*TeamOutput.Meta.fields, "members", "activity")

    def get_members(self, team) -> list[dict]:
        return MemberOutput(selectors.team_members(team=team), many=True).data

    def get_activity(self, team) -> list[dict]:
        return ActivityOutput(selectors.team_activity_list(team=team), many=True).data


class TeamListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=TeamOutput(many=True))
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.team_list_for_member(user=request.user),
            serializer_class=TeamOutput,
        )


class TeamDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=TeamDetailOutput)
    def get(self, request, pk):
        team = selectors.team_get_for_member(user=request.user, team_id=pk)
        return Response(TeamDetailOutput(team).data)
