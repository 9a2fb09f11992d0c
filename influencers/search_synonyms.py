"""Common fashion words a brand types in English (or in one spelling) and the Korean words
influencers write in captions, hashtags and keywords: a search for one finds the others.

Data, not code: each row is a group of words that mean the same for a search (compared in lower
case). The 23 style names (English, code, Korean) come from mlcore.styles and need no row here.
docs/search.md lists the table and how a search uses it.
"""

FASHION_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("dress", "one-piece", "onepiece", "원피스", "드레스"),
    ("skirt", "스커트", "치마"),
    ("pants", "trousers", "팬츠", "바지", "슬랙스"),
    ("jeans", "denim", "청바지", "데님"),
    ("shirt", "셔츠"),
    ("blouse", "블라우스"),
    ("t-shirt", "tshirt", "tee", "티셔츠", "반팔티"),
    ("knit", "sweater", "니트", "스웨터"),
    ("cardigan", "가디건"),
    ("jacket", "자켓", "재킷"),
    ("coat", "코트"),
    ("padding", "puffer", "패딩"),
    ("hoodie", "후드", "후드티"),
    ("sneakers", "스니커즈", "운동화"),
    ("shoes", "신발", "슈즈"),
    ("bag", "handbag", "가방", "핸드백"),
    ("hat", "cap", "모자", "캡"),
    ("accessory", "accessories", "액세서리", "악세사리", "악세서리"),
    ("outfit", "ootd", "코디", "데일리룩", "오오티디"),
    ("daily look", "dailylook", "데일리룩", "일상룩"),
    ("lookbook", "룩북"),
    ("casual", "캐주얼"),
    ("minimal", "minimalist", "미니멀"),
    ("vintage", "빈티지"),
    ("formal", "suit", "정장", "수트"),
    ("office look", "officelook", "오피스룩", "출근룩"),
    ("date look", "datelook", "데이트룩"),
    ("travel", "여행", "여행룩"),
    ("summer", "여름", "여름룩"),
    ("winter", "겨울", "겨울룩"),
    ("spring", "봄", "봄룩"),
    ("autumn", "fall", "가을", "가을룩"),
    ("cafe", "coffee", "카페"),
    ("beauty", "makeup", "뷰티", "메이크업"),
    ("golf", "골프", "골프웨어"),
    ("camping", "캠핑"),
    ("fitness", "gym", "운동", "헬스"),
)
